/**
 * `burrow.models.pull`: download a model into the local runtime, with `$/progress` while it comes
 * (Ollama's layers summed into one percentage). `$/cancelRequest` stops the download. A pull that
 * cannot happen (no runtime, an unknown name) answers an error with the runtime's reason.
 */
import { ErrorCodes, ResponseError, type CancellationToken } from "vscode-languageserver";
import type { Services } from "../services/build.js";
import type { TaskProgressReporter } from "./progress.js";

export async function pullModel(services: Services, name: string, token: CancellationToken, progress: TaskProgressReporter): Promise<{ ok: true; model: string }> {
  const abort = new AbortController();
  token.onCancellationRequested(() => abort.abort());
  const reporter = await progress.start(`Burrow: pulling ${name}`);
  try {
    const pulled = await services.models.pull(
      name,
      (p) => reporter.report(p.status, p.fraction === undefined ? undefined : Math.round(p.fraction * 100)),
      abort.signal,
    );
    if (!pulled.ok) throw new ResponseError(ErrorCodes.InvalidRequest, pulled.reason);
    return pulled;
  } finally {
    reporter.done();
  }
}
