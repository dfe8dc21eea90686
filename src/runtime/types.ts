/** The runtime's own input objects as plain data (Deployment, Service, Ingress, ConfigMap, Secret, Job); the controller maps manifests onto them. */

export type Labels = Record<string, string>;

/** A port named by number, or by the name of a container port. */
export type PortRef = number | string;

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: "TCP" | "UDP";
}

export interface ProbeSpec {
  httpGet?: { path?: string; port: PortRef; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: PortRef };
  exec?: { command: string[] };
  initialDelaySeconds?: number;
  /** Fractions are allowed (tests use short periods). Default 10. */
  periodSeconds?: number;
  /** Default 1. */
  timeoutSeconds?: number;
  /** Default 3. */
  failureThreshold?: number;
  /** Default 1. */
  successThreshold?: number;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface KeyToPath {
  key: string;
  path: string;
}

export interface Volume {
  name: string;
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { secretName: string; items?: KeyToPath[]; optional?: boolean };
  emptyDir?: Record<string, never>;
}

export interface ResourceRequirements {
  limits?: { cpu?: string; memory?: string };
  requests?: { cpu?: string; memory?: string };
}

/** One container, already resolved from the image config and the manifest (entrypoint + cmd → command + args). */
export interface ContainerSpec {
  name: string;
  image: string;
  command: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  ports?: ContainerPort[];
  readinessProbe?: ProbeSpec;
  livenessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
  volumeMounts?: VolumeMount[];
  resources?: ResourceRequirements;
}

export interface PodTemplate {
  labels: Labels;
  annotations?: Record<string, string>;
  /** The local runtime runs exactly one container per replica. */
  containers: ContainerSpec[];
  volumes?: Volume[];
  /** Default 30. Fractions allowed. */
  terminationGracePeriodSeconds?: number;
}

export interface RollingUpdateStrategy {
  /** Count or percentage ("25%"); default "25%", rounded up. */
  maxSurge?: number | string;
  /** Count or percentage; default "25%", rounded down. */
  maxUnavailable?: number | string;
}

export interface DeploymentSpec {
  kind: "Deployment";
  name: string;
  labels?: Labels;
  replicas?: number;
  selector: Labels;
  template: PodTemplate;
  strategy?: { type: "RollingUpdate"; rollingUpdate?: RollingUpdateStrategy } | { type: "Recreate" };
  minReadySeconds?: number;
  /** Default 600. */
  progressDeadlineSeconds?: number;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: PortRef;
  protocol?: "TCP";
  /** "tcp" proxies raw connections; anything else (default) is proxied as HTTP with draining and retries. */
  appProtocol?: string;
  /** The fixed 127.0.0.1 port the service answers on (a NodePort Service's); without it, a free port is taken. */
  nodePort?: number;
}

export interface ServiceSpec {
  kind: "Service";
  name: string;
  labels?: Labels;
  selector: Labels;
  ports: ServicePort[];
}

export interface IngressBackend {
  service: { name: string; port: { number?: number; name?: string } };
}

export interface IngressPath {
  path?: string;
  pathType: "Prefix" | "Exact" | "ImplementationSpecific";
  backend: IngressBackend;
}

export interface IngressRule {
  /** Exact host, or a wildcard like "*.example.com"; absent matches every host. */
  host?: string;
  paths: IngressPath[];
}

export interface IngressSpec {
  kind: "Ingress";
  name: string;
  labels?: Labels;
  rules: IngressRule[];
  defaultBackend?: IngressBackend;
}

/** Text values in `data`; binary values base64-encoded in `binaryData`. */
export interface ConfigMapSpec {
  kind: "ConfigMap";
  name: string;
  labels?: Labels;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** Like a ConfigMap; the controller decodes a manifest's base64 `data` into text `data` or keeps it in `binaryData`. */
export interface SecretSpec {
  kind: "Secret";
  name: string;
  labels?: Labels;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface JobSpec {
  kind: "Job";
  name: string;
  labels?: Labels;
  template: PodTemplate & { restartPolicy?: "Never" | "OnFailure" };
  /** Default 6. */
  backoffLimit?: number;
  /** Default 1; run one after another. */
  completions?: number;
  activeDeadlineSeconds?: number;
}

export type RuntimeObject = DeploymentSpec | ServiceSpec | IngressSpec | ConfigMapSpec | SecretSpec | JobSpec;
export type RuntimeKind = RuntimeObject["kind"];

export interface ObjectRef {
  kind: RuntimeKind;
  name: string;
}
