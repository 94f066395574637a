// One file sent as multipart (field `file`) with the bearer token, reporting how many bytes
// have gone: XMLHttpRequest, whose upload progress events fetch does not have.

export interface UploadAnswer {
  /** 0 when no answer came (offline, connection dropped). */
  status: number;
  body: string;
  retryAfter: string | null;
}

export interface UploadCall {
  answer: Promise<UploadAnswer>;
  /** Stop it: `answer` then never settles. */
  abort(): void;
}

export function postFile(
  path: string,
  file: Blob,
  name: string,
  token: string | null,
  onProgress: (loaded: number, total: number) => void,
): UploadCall {
  const xhr = new XMLHttpRequest();
  const answer = new Promise<UploadAnswer>((resolve) => {
    xhr.open("POST", path);
    xhr.setRequestHeader("Accept", "application/json");
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener("load", () =>
      resolve({
        status: xhr.status,
        body: xhr.responseText,
        retryAfter: xhr.getResponseHeader("Retry-After"),
      }),
    );
    const none = (): void => resolve({ status: 0, body: "", retryAfter: null });
    xhr.addEventListener("error", none);
    xhr.addEventListener("timeout", none);
    const form = new FormData();
    form.append("file", file, name);
    xhr.send(form);
  });
  return { answer, abort: () => xhr.abort() };
}
