/** The web service's delivery manifests as env-repo YAML (Application, Deployment, Service, Ingress), shared by the sync, e2e, web and docker tests. */

export interface WebApplicationOptions {
  /** metadata.name, e.g. `web-dev`. */
  name: string;
  /** The env repo as `owner/name` on 127.0.0.1. */
  repo: string;
  /** The environment: the source path `envs/ENV/web` and the destination namespace. */
  env: string;
  /** The destination's runtime line, e.g. `name: local`. */
  destination: string;
}

/** An automated (prune, self-heal, CreateNamespace) Application deploying `envs/ENV/web` from main. */
export function webApplicationYaml(options: WebApplicationOptions): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${options.name}
  namespace: slipway
spec:
  project: default
  source:
    repoURL: http://127.0.0.1/${options.repo}.git
    path: envs/${options.env}/web
    targetRevision: main
  destination:
    ${options.destination}
    namespace: ${options.env}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
`;
}

export interface WebDeploymentOptions {
  /** The image line's value as written (it may carry a trailing comment). */
  image: string;
  replicas: number;
  /** Left out when absent (the runtime's default, 600 s). */
  progressDeadlineSeconds?: number;
  terminationGracePeriodSeconds: number;
  /** A comment line above the manifest. */
  header?: string;
  /** Surge 1, never below the replica count; `typed` also writes `type: RollingUpdate`. No strategy when absent. */
  rollingUpdate?: "plain" | "typed";
  /** The command's parts as YAML scalars, written as they are. */
  command?: string[];
  /** Env var name → value as a YAML scalar, written as it is (quote flags yourself: see yamlFlag). */
  env?: Record<string, string>;
  memoryLimit?: string;
  readiness: { timeoutSeconds?: number; failureThreshold: number };
}

/** `"1"` or `"0"`: a boolean env flag as a quoted YAML string. */
export function yamlFlag(on: boolean | undefined): string {
  return `"${on ? "1" : "0"}"`;
}

/** The web Deployment (label app: web, container port `http` 8080, httpGet /ready probed every second). */
export function webDeploymentYaml(options: WebDeploymentOptions): string {
  const strategy = options.rollingUpdate
    ? `  strategy:\n${options.rollingUpdate === "typed" ? "    type: RollingUpdate\n" : ""}    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n`
    : "";
  const command = options.command ? `          command: [${options.command.join(", ")}]\n` : "";
  const envEntries = Object.entries(options.env ?? {});
  const env = envEntries.length > 0 ? `          env:\n${envEntries.map(([name, value]) => `            - name: ${name}\n              value: ${value}\n`).join("")}` : "";
  const resources = options.memoryLimit ? `          resources:\n            limits:\n              memory: ${options.memoryLimit}\n` : "";
  const deadline = options.progressDeadlineSeconds === undefined ? "" : `  progressDeadlineSeconds: ${options.progressDeadlineSeconds}\n`;
  const timeout = options.readiness.timeoutSeconds === undefined ? "" : `            timeoutSeconds: ${options.readiness.timeoutSeconds}\n`;
  return `${options.header ? `${options.header}\n` : ""}apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: ${options.replicas}
${deadline}  selector:
    matchLabels:
      app: web
${strategy}  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: ${options.terminationGracePeriodSeconds}
      containers:
        - name: web
          image: ${options.image}
${command}${env}${resources}          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet: { path: /ready, port: http }
            periodSeconds: 1
${timeout}            failureThreshold: ${options.readiness.failureThreshold}
`;
}

export const webServiceYaml = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
`;

export const webIngressYaml = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
`;

export interface HookJobOptions {
  /** metadata.name, also the container's name. */
  name: string;
  phase: "PreSync" | "PostSync";
  /** The argocd hook-delete-policy annotation, when given. */
  deletePolicy?: string;
  image: string;
  /** The command's parts as YAML scalars, written as they are. */
  command: string[];
  /** Env var name → value as a YAML scalar, written as it is. */
  env?: Record<string, string>;
}

/** A sync hook: a Job run once (backoffLimit 0, restartPolicy Never) in the `phase` of every sync. */
export function hookJobYaml(options: HookJobOptions): string {
  const deletePolicy = options.deletePolicy ? `    argocd.argoproj.io/hook-delete-policy: ${options.deletePolicy}\n` : "";
  const envEntries = Object.entries(options.env ?? {});
  const env = envEntries.length > 0 ? `          env:\n${envEntries.map(([name, value]) => `            - { name: ${name}, value: ${value} }\n`).join("")}` : "";
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${options.name}
  annotations:
    argocd.argoproj.io/hook: ${options.phase}
${deletePolicy}spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: ${options.name}
          image: ${options.image}
          command: [${options.command.join(", ")}]
${env}`;
}
