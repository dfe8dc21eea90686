import { describe, expect, it } from "vitest";
import { formatProblem, loadManifests, parseManifestText } from "../../../src/gitops/manifests";
import { isSlipwayError } from "../../../src/core/errors";

const file = "envs/dev/web/deployment.yaml";

/** A valid Deployment whose container section each case replaces (the container list starts on line 14). */
function deployment(containers: string, extra = ""): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
${extra}      containers:
${containers}`;
}

const cases: { name: string; text: string; problems: string[] }[] = [
  {
    name: "missing image",
    text: deployment("        - name: web\n          ports:\n            - containerPort: 3000\n"),
    problems: [`${file}:16: spec.template.spec.containers[0].image is required`],
  },
  {
    name: "empty image",
    text: deployment('        - name: web\n          image: ""\n'),
    problems: [`${file}:17: spec.template.spec.containers[0].image must not be empty`],
  },
  {
    name: "image with a space",
    text: deployment("        - name: web\n          image: shop/web v1\n"),
    problems: [`${file}:17: spec.template.spec.containers[0].image "shop/web v1" must not contain spaces`],
  },
  {
    name: "image of the wrong type",
    text: deployment("        - name: web\n          image: [shop/web]\n"),
    problems: [`${file}:17: spec.template.spec.containers[0].image must be a string`],
  },
  {
    name: "container port clash",
    text: deployment("        - name: web\n          image: shop/web:v1\n          ports: [{ containerPort: 8080 }]\n        - name: metrics\n          image: shop/metrics:v1\n          ports:\n            - containerPort: 8080\n"),
    problems: [`${file}:22: spec.template.spec.containers[1].ports[0].containerPort 8080 clashes with a port of container "web"`],
  },
  {
    name: "same port twice in one container",
    text: deployment("        - name: web\n          image: shop/web:v1\n          ports:\n            - containerPort: 80\n            - containerPort: 80\n"),
    problems: [`${file}:20: spec.template.spec.containers[0].ports[1].containerPort 80 clashes with a port of container "web"`],
  },
  {
    name: "same port number over TCP and UDP is no clash",
    text: deployment("        - name: dns\n          image: coredns:v1\n          ports:\n            - containerPort: 53\n            - containerPort: 53\n              protocol: UDP\n"),
    problems: [],
  },
  {
    name: "port out of range",
    text: deployment("        - name: web\n          image: shop/web:v1\n          ports:\n            - containerPort: 70000\n"),
    problems: [`${file}:19: spec.template.spec.containers[0].ports[0].containerPort must be at most 65535`],
  },
  {
    name: "port given as a string",
    text: deployment('        - name: web\n          image: shop/web:v1\n          ports:\n            - containerPort: "8080"\n'),
    problems: [`${file}:19: spec.template.spec.containers[0].ports[0].containerPort must be an integer`],
  },
  {
    name: "env value that is a number",
    text: deployment("        - name: web\n          image: shop/web:v1\n          env:\n            - name: PORT\n              value: 8080\n"),
    problems: [`${file}:20: spec.template.spec.containers[0].env[0].value must be a string (quote it: "8080")`],
  },
  {
    name: "env with value and valueFrom",
    text: deployment("        - name: web\n          image: shop/web:v1\n          env:\n            - name: A\n              value: x\n              valueFrom:\n                configMapKeyRef: { name: c, key: k }\n"),
    problems: [`${file}:21: spec.template.spec.containers[0].env[0].valueFrom cannot be given together with value`],
  },
  {
    name: "env valueFrom fieldRef",
    text: deployment("        - name: web\n          image: shop/web:v1\n          env:\n            - name: POD\n              valueFrom:\n                fieldRef: { fieldPath: metadata.name }\n"),
    problems: [`${file}:20: spec.template.spec.containers[0].env[0].valueFrom needs configMapKeyRef or secretKeyRef (fieldRef and resourceFieldRef are not supported)`],
  },
  {
    name: "probe without a handler",
    text: deployment("        - name: web\n          image: shop/web:v1\n          readinessProbe:\n            periodSeconds: 5\n"),
    problems: [`${file}:18: spec.template.spec.containers[0].readinessProbe needs one of httpGet, tcpSocket, exec`],
  },
  {
    name: "probe with two handlers",
    text: deployment("        - name: web\n          image: shop/web:v1\n          livenessProbe:\n            tcpSocket: { port: 80 }\n            exec: { command: [true] }\n"),
    problems: [`${file}:18: spec.template.spec.containers[0].livenessProbe must have only one of httpGet, tcpSocket, exec (has tcpSocket, exec)`, `${file}:20: spec.template.spec.containers[0].livenessProbe.exec.command[0] must be a string (quote it: "true")`],
  },
  {
    name: "probe on a port name the container lacks",
    text: deployment("        - name: web\n          image: shop/web:v1\n          startupProbe:\n            httpGet: { path: /healthz, port: http }\n"),
    problems: [`${file}:19: spec.template.spec.containers[0].startupProbe.httpGet.port "http" is not the name of a port of this container`],
  },
  {
    name: "probe threshold of zero",
    text: deployment("        - name: web\n          image: shop/web:v1\n          readinessProbe:\n            tcpSocket: { port: 80 }\n            failureThreshold: 0\n"),
    problems: [`${file}:20: spec.template.spec.containers[0].readinessProbe.failureThreshold must be at least 1`],
  },
  {
    name: "volume mount of an unknown volume",
    text: deployment("        - name: web\n          image: shop/web:v1\n          volumeMounts:\n            - name: config\n              mountPath: /etc/web\n"),
    problems: [`${file}:19: spec.template.spec.containers[0].volumeMounts[0].name "config" is not a volume of this pod`],
  },
  {
    name: "unsupported volume type",
    text: deployment("        - name: web\n          image: shop/web:v1\n", "      volumes:\n        - name: data\n          hostPath: { path: /data }\n"),
    problems: [`${file}:16: spec.template.spec.volumes[0] needs configMap, secret or emptyDir (other volume types are not supported)`],
  },
  {
    name: "two containers with one name",
    text: deployment("        - name: web\n          image: shop/web:v1\n        - name: web\n          image: shop/web:v1\n"),
    problems: [`${file}:18: spec.template.spec.containers[1].name "web" is used by another container of this pod`],
  },
  {
    name: "container name with capitals",
    text: deployment("        - name: Web\n          image: shop/web:v1\n"),
    problems: [`${file}:16: spec.template.spec.containers[0].name "Web" must be a DNS label (lowercase letters, digits and '-')`],
  },
  {
    name: "no containers",
    text: deployment("        []\n"),
    problems: [`${file}:15: spec.template.spec.containers needs at least one container`],
  },
  {
    name: "containers not a list",
    text: deployment("        web: { image: x }\n"),
    problems: [`${file}:15: spec.template.spec.containers must be a list`],
  },
];

describe("manifest validation: exact file:line: field message", () => {
  it.each(cases)("$name", ({ text, problems }) => {
    const got = parseManifestText(file, text).problems.map(formatProblem);
    expect(got).toEqual(problems);
  });
});

const objectCases: { name: string; text: string; problems: string[] }[] = [
  { name: "invalid YAML", text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   bad: indent\n", problems: ["f.yaml:4: invalid YAML: Nested mappings are not allowed in compact mappings"] },
  { name: "unclosed quote", text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "a\n', problems: ["f.yaml:4: invalid YAML: Missing closing \"quote"] },
  { name: "duplicate key", text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n", problems: ["f.yaml:5: invalid YAML: Map keys must be unique"] },
  {
    name: "unknown kind lists the supported ones",
    text: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n",
    problems: ['f.yaml:2: kind "StatefulSet" is not supported (supported kinds: Namespace, ConfigMap, Secret, Service, Deployment, Job, Ingress, Application)'],
  },
  { name: "missing kind", text: "apiVersion: v1\nmetadata:\n  name: a\n", problems: ["f.yaml:1: kind is required"] },
  { name: "wrong apiVersion", text: "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: a\nspec:\n  defaultBackend: { service: { name: web, port: { number: 80 } } }\n", problems: ['f.yaml:1: apiVersion must be networking.k8s.io/v1 for a Ingress (got "extensions/v1beta1")'] },
  { name: "missing name", text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: { app: web }\n", problems: ["f.yaml:3: metadata.name is required"] },
  { name: "missing metadata", text: "apiVersion: v1\nkind: Namespace\n", problems: ["f.yaml:1: metadata is required"] },
  { name: "bad name", text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Web_Config\n", problems: ['f.yaml:4: metadata.name "Web_Config" must be a DNS name (lowercase letters, digits, \'-\' and \'.\')'] },
  { name: "Service name with a dot", text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web.v2\nspec:\n  ports: [{ port: 80 }]\n", problems: ['f.yaml:4: metadata.name "web.v2" must be a DNS label (lowercase letters, digits and \'-\')'] },
  { name: "label value that is a number", text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    version: 2\n", problems: ['f.yaml:6: metadata.labels.version must be a string (quote it: "2")'] },
  { name: "document that is a list", text: "- a\n- b\n", problems: ["f.yaml:1: a manifest document must be a mapping with apiVersion, kind and metadata"] },
  {
    name: "duplicate object in one file",
    text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: dev\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: dev\n",
    problems: ["f.yaml:7: duplicate ConfigMap dev/a (first defined at f.yaml:1)"],
  },
  { name: "same name, other kind is no duplicate", text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n", problems: [] },
  { name: "empty documents are skipped", text: "---\n# only a comment\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n---\n", problems: [] },
  {
    name: "selector not matching template labels",
    text: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: website\n    spec:\n      containers:\n        - name: web\n          image: shop/web:v1\n",
    problems: ["f.yaml:7: spec.selector.matchLabels app=web does not match spec.template.metadata.labels app=website"],
  },
  {
    name: "missing selector",
    text: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers: [{ name: web, image: shop/web }]\n",
    problems: ["f.yaml:5: spec.selector is required"],
  },
  {
    name: "matchExpressions",
    text: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchExpressions: [{ key: app, operator: In, values: [web] }]\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers: [{ name: web, image: shop/web }]\n",
    problems: ["f.yaml:7: spec.selector.matchExpressions is not supported: use matchLabels"],
  },
  {
    name: "replicas as a string",
    text: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: three\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers: [{ name: web, image: shop/web }]\n",
    problems: ["f.yaml:6: spec.replicas must be an integer"],
  },
  {
    name: "bad maxSurge and both zero",
    text: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: { matchLabels: { app: web } }\n  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 0%\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers: [{ name: web, image: shop/web }]\n",
    problems: ["f.yaml:8: spec.strategy.rollingUpdate maxSurge and maxUnavailable cannot both be 0"],
  },
  {
    name: "percentage without %",
    text: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: { matchLabels: { app: web } }\n  strategy:\n    rollingUpdate:\n      maxSurge: half\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers: [{ name: web, image: shop/web }]\n",
    problems: ['f.yaml:9: spec.strategy.rollingUpdate.maxSurge must be an integer or a percentage like "25%" (got "half")'],
  },
  {
    name: "restartPolicy Always in a Deployment only",
    text: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      restartPolicy: Never\n      containers: [{ name: web, image: shop/web }]\n",
    problems: ["f.yaml:11: spec.template.spec.restartPolicy must be Always here"],
  },
  {
    name: "Job without restartPolicy",
    text: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  template:\n    spec:\n      containers: [{ name: migrate, image: shop/api }]\n",
    problems: ["f.yaml:7: spec.template.spec.restartPolicy is required for a Job: Never or OnFailure"],
  },
  {
    name: "Service port clash and unnamed ports",
    text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - name: http\n      port: 80\n    - port: 80\n",
    problems: ["f.yaml:9: spec.ports[1].port 80 is already a port of this Service", "f.yaml:9: spec.ports[1].name is required when a Service has more than one port"],
  },
  {
    name: "Service node port on a ClusterIP Service, out of range, and twice",
    text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - { name: a, port: 80, nodePort: 30080 }\n    - { name: b, port: 81, nodePort: 80 }\n    - { name: c, port: 82, nodePort: 30080 }\n",
    problems: [
      "f.yaml:8: spec.ports[1].nodePort 80 is outside the node port range 30000-32767",
      "f.yaml:7: spec.ports[0].nodePort is only allowed when spec.type is NodePort or LoadBalancer (it is ClusterIP)",
      "f.yaml:8: spec.ports[1].nodePort is only allowed when spec.type is NodePort or LoadBalancer (it is ClusterIP)",
      "f.yaml:9: spec.ports[2].nodePort is only allowed when spec.type is NodePort or LoadBalancer (it is ClusterIP)",
      "f.yaml:9: spec.ports[2].nodePort 30080 is already a node port of this Service",
    ],
  },
  { name: "Service without ports", text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: { app: web }\n", problems: ["f.yaml:5: spec.ports needs at least one port"] },
  {
    name: "Ingress path without pathType or backend port",
    text: "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  rules:\n    - host: shop.localhost\n      http:\n        paths:\n          - path: /\n            backend:\n              service:\n                name: web\n",
    problems: ["f.yaml:10: spec.rules[0].http.paths[0].pathType is required: Prefix, Exact or ImplementationSpecific", "f.yaml:12: spec.rules[0].http.paths[0].backend.service.port is required"],
  },
  { name: "Secret data that is not base64", text: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: hunter2!\n", problems: ["f.yaml:6: data.password is not valid base64 (use stringData for plain text)"] },
  {
    name: "Application without source path or destination",
    text: "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web-dev\nspec:\n  source:\n    repoURL: http://git/deploy.git\n",
    problems: ["f.yaml:5: spec.destination is required", "f.yaml:6: spec.source.path is required"],
  },
  {
    name: "Application with a Helm chart",
    text: "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web-dev\nspec:\n  source:\n    repoURL: http://charts\n    chart: web\n    path: x\n  destination: { name: local }\n",
    problems: ["f.yaml:8: spec.source.chart is not supported: Helm charts are not rendered; use a path"],
  },
];

describe("object validation", () => {
  it.each(objectCases)("$name", ({ text, problems }) => {
    const got = parseManifestText("f.yaml", text).problems.map(formatProblem);
    expect(got).toEqual(problems);
  });
});

describe("loadManifests", () => {
  it("finds duplicates across files and throws one MANIFEST_INVALID naming every problem", () => {
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
    try {
      loadManifests([
        { path: "a.yaml", text: cm("shared") },
        { path: "b.yaml", text: `${cm("other")}---\n${cm("shared")}` },
        { path: "c.yaml", text: "kind: Widget\napiVersion: v1\nmetadata: { name: w }\n" },
      ]);
      expect.unreachable();
    } catch (error) {
      if (!isSlipwayError(error)) throw error;
      expect(error.code).toBe("MANIFEST_INVALID");
      expect(error.status).toBe(422);
      expect(error.message).toBe(
        '2 manifest problems:\n  b.yaml:6: duplicate ConfigMap shared (first defined at a.yaml:1)\n  c.yaml:1: kind "Widget" is not supported (supported kinds: Namespace, ConfigMap, Secret, Service, Deployment, Job, Ingress, Application)',
      );
    }
  });
});
