/** The connection to Docker Engine: whether it answers (with a clear message when not) and images pulled by the engine, with credentials for the embedded registry. */

import Docker from "dockerode";
import { SlipwayError, describeError } from "../../core/errors";

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface DockerEngineOptions {
  /** Default: the unix socket of DOCKER_HOST, else /var/run/docker.sock. */
  socketPath?: string;
  /** Credentials for a registry host such as "127.0.0.1:5000" (the embedded registry); undefined pulls anonymously. */
  registryAuth?: (registry: string) => RegistryCredentials | undefined;
}

export function defaultSocketPath(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith("unix://") ? host.slice("unix://".length) : "/var/run/docker.sock";
}

/** The registry host of an image reference ("127.0.0.1:5000/team/web:v1" → "127.0.0.1:5000"), or undefined for Docker Hub names. */
export function registryOf(image: string): string | undefined {
  const slash = image.indexOf("/");
  if (slash < 0) return undefined;
  const first = image.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : undefined;
}

/** Tags other than `latest` and digests never change under us: pull only when the engine lacks them (IfNotPresent). */
function alwaysPull(image: string): boolean {
  if (image.includes("@")) return false;
  const lastPart = image.slice(image.lastIndexOf("/") + 1);
  return !lastPart.includes(":") || lastPart.endsWith(":latest");
}

function errorStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** 404 from the engine: the container or image is gone (removed by hand, or never there). */
export function isNotFound(error: unknown): boolean {
  return errorStatus(error) === 404;
}

/** 304/409 from the engine: already stopped, not running, or already being removed. */
export function isAlreadyThere(error: unknown): boolean {
  const status = errorStatus(error);
  return status === 304 || status === 409;
}

export class DockerEngine {
  readonly docker: Docker;
  readonly socketPath: string;
  private readonly pulls = new Map<string, Promise<string | undefined>>();
  private answeredAt = 0;
  private logConfigAnswer: Promise<Docker.HostConfig["LogConfig"] | undefined> | undefined;

  constructor(private readonly options: DockerEngineOptions = {}) {
    this.socketPath = options.socketPath ?? defaultSocketPath();
    this.docker = new Docker({ socketPath: this.socketPath });
  }

  /** undefined when the engine answers; otherwise why not, for the user. */
  async unavailableReason(): Promise<string | undefined> {
    if (Date.now() - this.answeredAt < 2000) return undefined;
    try {
      await Promise.race([
        this.docker.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 3 s")), 3000).unref()),
      ]);
      this.answeredAt = Date.now();
      return undefined;
    } catch (error) {
      return `the docker runtime is unavailable: no Docker Engine answers on unix://${this.socketPath} (${describeError(error)})`;
    }
  }

  async assertAvailable(): Promise<void> {
    const reason = await this.unavailableReason();
    if (reason) throw new SlipwayError("RUNTIME_UNAVAILABLE", reason);
  }

  /**
   * Rotation for the containers' own log files when the engine's driver keeps them in files that grow without
   * bound by default (json-file; local is given the same bound): 2 files of 16 MB. Another driver (journald,
   * syslog, …) keeps its own retention and is left as the engine is configured.
   */
  logConfig(): Promise<Docker.HostConfig["LogConfig"] | undefined> {
    this.logConfigAnswer ??= this.docker.info().then(
      (info: { LoggingDriver?: string }) => (info.LoggingDriver === "json-file" || info.LoggingDriver === "local" ? { Type: info.LoggingDriver, Config: { "max-size": "16m", "max-file": "2" } } : undefined),
      () => {
        this.logConfigAnswer = undefined; // asked again with the next container
        return undefined;
      },
    );
    return this.logConfigAnswer;
  }

  /** Makes sure the engine has the image, pulling it (once at a time per reference) from its registry; resolves to the image's PATH. */
  ensureImage(image: string): Promise<string | undefined> {
    let pull = this.pulls.get(image);
    if (!pull) {
      pull = this.pullIfNeeded(image).finally(() => this.pulls.delete(image));
      this.pulls.set(image, pull);
    }
    return pull;
  }

  private async imagePath(image: string): Promise<string | undefined> {
    const info = await this.docker.getImage(image).inspect();
    return info.Config?.Env?.find((entry) => entry.startsWith("PATH="))?.slice("PATH=".length);
  }

  private async pullIfNeeded(image: string): Promise<string | undefined> {
    if (!alwaysPull(image)) {
      const path = await this.imagePath(image).then((found) => ({ found }), (error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
      if (path) return path.found;
    }
    const registry = registryOf(image);
    const credentials = registry ? this.options.registryAuth?.(registry) : undefined;
    const authconfig = credentials ? { ...credentials, serveraddress: registry } : undefined;
    try {
      const stream = (await this.docker.pull(image, authconfig ? { authconfig } : {})) as NodeJS.ReadableStream;
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(stream, (error: Error | null, output: unknown[]) => {
          const failed = output?.find((entry): entry is { error: string } => typeof (entry as { error?: unknown } | null)?.error === "string");
          if (error) reject(error);
          else if (failed) reject(new Error(failed.error));
          else resolve();
        });
      });
    } catch (error) {
      throw new SlipwayError("NOT_FOUND", `the engine could not pull ${image}: ${describeError(error)}`, { cause: error });
    }
    return this.imagePath(image);
  }
}
