export function greet(name, punctuation = "!") {
  if (!name) throw new Error("a name is required");
  return `Hello, ${name}${punctuation}`;
}
