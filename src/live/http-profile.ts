// Profiles served over HTTP by a program on this machine: Go's net/http/pprof
// (/debug/pprof/heap, /allocs, /profile?seconds=N) and anything else that serves pprof
// files. Only loopback addresses are fetched: allocrun reads profiles of local programs
// and never talks to the network (an SSH tunnel brings a remote endpoint here).
import { request as httpRequest, type IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { environmentError, inputError, usageError } from "../core/errors.js";

/** True for text that should be fetched rather than opened as a file. */
export function isProfileUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || /^::ffff:127\./.test(host);
  return false;
}

/** The URL, checked: http, a loopback host; usage errors that say what to do otherwise. */
export function parseProfileUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`"${text}" is not a valid URL`, "e.g. http://127.0.0.1:6060/debug/pprof/heap");
  }
  if (url.protocol !== "http:") {
    throw usageError(`allocrun fetches profiles over plain http from this machine, not ${url.protocol}//`, `use http://127.0.0.1:PORT${url.pathname}`);
  }
  if (!isLoopbackHost(url.hostname)) {
    throw usageError(
      `allocrun fetches profiles only from this machine (127.0.0.1, ::1, localhost), not from ${url.hostname}`,
      `forward the port first: ssh -L 6060:127.0.0.1:6060 ${url.hostname}, then use http://127.0.0.1:6060${url.pathname}${url.search}`,
    );
  }
  return url;
}

/** What to call the fetched file: heap, allocs, profile, goroutine... */
export function endpointName(url: URL): string {
  const last = url.pathname.split("/").filter((part) => part !== "").pop() ?? "profile";
  return last.replace(/[^A-Za-z0-9_-]+/g, "_") || "profile";
}

/** Seconds a CPU profile request takes (profile?seconds=N, Go's default 30). */
function requestedSeconds(url: URL): number {
  if (endpointName(url) !== "profile" && !url.searchParams.has("seconds")) return 0;
  const seconds = Number(url.searchParams.get("seconds") ?? 30);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 30;
}

export interface FetchOptions {
  /** On top of the seconds a CPU profile asks for. */
  timeoutMs?: number;
}

/** The response body; input/environment errors for refused connections, HTTP errors, HTML. */
export async function fetchProfile(url: URL, options: FetchOptions = {}): Promise<Buffer> {
  const timeoutMs = (options.timeoutMs ?? 30_000) + requestedSeconds(url) * 1000;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = httpRequest(url, { method: "GET", headers: { "user-agent": "allocrun" }, timeout: timeoutMs }, resolve);
    request.on("timeout", () => request.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    request.on("error", (error) => reject(explainRequestError(url, error as NodeJS.ErrnoException)));
    request.end();
  });
  const body = await readBody(response);
  const status = response.statusCode ?? 0;
  if (status !== 200) {
    const detail = body.toString("utf8").trim().split("\n")[0]?.slice(0, 200) ?? "";
    throw inputError(`${url.href} answered HTTP ${status}${detail ? `: ${detail}` : ""}`, "check the path: /debug/pprof/heap, /debug/pprof/allocs or /debug/pprof/profile?seconds=N");
  }
  if (/text\/html/i.test(String(response.headers["content-type"] ?? ""))) {
    throw inputError(`${url.href} returned a web page, not a profile`, "use a profile endpoint: /debug/pprof/heap, /debug/pprof/allocs or /debug/pprof/profile?seconds=N");
  }
  return body;
}

function readBody(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("end", () => resolve(Buffer.concat(chunks)));
    response.on("error", reject);
  });
}

function explainRequestError(url: URL, error: NodeJS.ErrnoException): Error {
  const where = `${url.hostname}:${url.port || 80}`;
  switch (error.code) {
    case "ECONNREFUSED":
      return environmentError(`nothing listens on ${where}`, "is the program running, with net/http/pprof imported and its HTTP server started on that port?");
    case "ETIMEDOUT":
      return environmentError(`${url.href} did not answer in time`, "the program may be overloaded; try again, or a shorter profile?seconds=N");
    default:
      return environmentError(`cannot fetch ${url.href} (${error.code ?? error.message})`, "check the address and that the program serves it");
  }
}
