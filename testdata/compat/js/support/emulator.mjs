// Starts graph-emulator binaries for the tests.
//
// The binary is $GRAPH_EMULATOR_BIN (run.sh builds it once for both suites); without it,
// cmd/graph-emulator is built into a temporary directory with `go build`.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

/**
 * Returns the path of a graph-emulator binary and a function that removes it if it
 * was built here.
 */
export function emulatorBinary() {
  if (process.env.GRAPH_EMULATOR_BIN) {
    return { bin: process.env.GRAPH_EMULATOR_BIN, cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "graph-emulator-js-"));
  const bin = join(dir, "graph-emulator");
  execFileSync("go", ["build", "-o", bin, "./cmd/graph-emulator"], { cwd: repoRoot, stdio: "inherit" });
  return { bin, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs bin on a free port and resolves to { url, stderr, stop }: url is the first line
 * the binary prints (http://127.0.0.1:PORT, or https:// with --tls); stderr() returns
 * its log so far; stop() sends SIGINT and resolves to the exit code once it has exited.
 * args replaces the default arguments, --addr 127.0.0.1:0.
 */
export function startEmulator(bin, args = ["--addr", "127.0.0.1:0"]) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    let started = false;
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise((res) => child.on("exit", (code, signal) => res(code ?? signal)));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (!started) {
        reject(new Error(`graph-emulator exited with ${code} before printing its URL:\n${stderr}`));
      }
    });
    child.stdout.on("data", (d) => {
      if (started) {
        return;
      }
      stdout += d;
      const nl = stdout.indexOf("\n");
      if (nl < 0) {
        return;
      }
      started = true;
      const url = stdout.slice(0, nl).trim();
      resolve({
        url,
        stderr: () => stderr,
        stop: () => {
          child.kill("SIGINT");
          return exited;
        },
      });
    });
  });
}
