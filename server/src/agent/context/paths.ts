/**
 * What a file's path says about it, for ranking: whether it holds tests, and the name it shares
 * with its counterpart (`client.go` and `client_test.go`, `test_auth.py` and `auth.py`).
 */

/** `tests/test_client.py`, `client_test.go`, `Client.spec.ts`, `ClientTest.java` → "client". */
export function companionKey(rel: string): string {
  const base = rel.slice(rel.lastIndexOf("/") + 1).replace(/\.[^.]+$/, "");
  return base
    .replace(/^test_|_test$|_tests$|\.test$|\.spec$|-test$|-spec$|Tests?$|Spec$/i, "")
    .replace(/^test(?=[A-Z])/, "")
    .toLowerCase();
}


/** True for a file of tests, by the conventions of the common languages. */
export function isTestPath(rel: string): boolean {
  return /(^|\/)(tests?|__tests__|spec)\/|(^|\/)test_[^/]*$|_test\.[^/.]+$|\.(test|spec)\.[^/.]+$|Tests?\.[^/.]+$/.test(rel);
}
