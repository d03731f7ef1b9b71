// Cumulus browser client (served by the node at /sdk/cumulus.js): end-user auth, documents,
// queries and realtime changes of one project. An ES module without dependencies:
//
//   import { createClient } from "https://node.example/sdk/cumulus.js";
//   const cumulus = createClient({ url: "https://node.example", project: "default" });
//   await cumulus.auth.login("ada@example.com", "correct horse battery");
//   const carts = cumulus.db.collection("carts");
//   const cart = await carts.create({ owner: cumulus.auth.userId, items: [] });
//   const stop = carts.listen(change => console.log(change.type, change.id));
//
// Tokens live in memory only (never localStorage: a script injected into the page could read
// them there); a reload signs the user in again. See docs/database.md.

/** An answer other than 2xx: `status`, the node's `code` (e.g. "AccessDenied") and `message`. */
export class CumulusError extends Error {
  constructor(status, code, message, body) {
    super(message || code || ("HTTP " + status));
    this.name = "CumulusError";
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export function createClient(options = {}) {
  const base = String(options.url || (typeof location !== "undefined" ? location.origin : "")).replace(/\/+$/, "");
  const project = options.project || "default";
  const root = base + "/v1/projects/" + encodeURIComponent(project);
  let session = null; // {accessToken, refreshToken, userId, expiresAt}
  const listeners = new Set();

  function remember(answer) {
    session = answer ? {
      accessToken: answer.accessToken,
      refreshToken: answer.refreshToken,
      userId: answer.userId,
      expiresAt: Date.now() + (answer.expiresIn || 0) * 1000,
    } : null;
    for (const listener of listeners) {
      try { listener(session ? { userId: session.userId } : null); } catch (e) { console.error(e); }
    }
    return session ? { userId: session.userId } : null;
  }

  async function raw(method, path, body, headers = {}, withToken = true) {
    const init = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (session && withToken) {
      init.headers["Authorization"] = "Bearer " + session.accessToken;
    }
    return fetch(root + path, init);
  }

  async function parse(response) {
    const text = await response.text();
    let body = null;
    if (text) {
      try { body = JSON.parse(text); } catch (e) { body = text; }
    }
    if (!response.ok) {
      throw new CumulusError(response.status, body && body.error, body && body.message, body);
    }
    return body;
  }

  /** One call; an expired access token is refreshed once and the call made again. */
  async function call(method, path, body, headers) {
    let response = await raw(method, path, body, headers);
    if (response.status === 401 && session && session.refreshToken) {
      if (await refreshQuietly()) {
        response = await raw(method, path, body, headers);
      }
    }
    return response;
  }

  let refreshing = null;
  function refreshQuietly() {
    if (!refreshing) {
      refreshing = auth.refresh().then(() => true, () => false).finally(() => { refreshing = null; });
    }
    return refreshing;
  }

  const auth = {
    get userId() { return session ? session.userId : null; },
    /** The current access token (for calling your functions with `Authorization: Bearer`). */
    get accessToken() { return session ? session.accessToken : null; },
    async signup(email, password) {
      return parse(await raw("POST", "/auth/signup", { email, password }));
    },
    async login(email, password) {
      return remember(await parse(await raw("POST", "/auth/login", { email, password }, {}, false)));
    },
    async anonymous() {
      return remember(await parse(await raw("POST", "/auth/anonymous", undefined, {}, false)));
    },
    async refresh() {
      if (!session || !session.refreshToken) {
        throw new CumulusError(401, "NotSignedIn", "no session to refresh");
      }
      return remember(await parse(await raw("POST", "/auth/refresh", { refreshToken: session.refreshToken },
          {}, false)));
    },
    async logout() {
      const refreshToken = session && session.refreshToken;
      remember(null);
      if (refreshToken) {
        await parse(await raw("POST", "/auth/logout", { refreshToken }, {}, false));
      }
    },
    async me() {
      return parse(await call("GET", "/auth/me"));
    },
    /** Calls `callback({userId})` on sign-in and `callback(null)` on sign-out; returns what stops it. */
    onChange(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
  };

  function documentPath(collection, id) {
    return "/db/collections/" + encodeURIComponent(collection) + "/documents" + (id === undefined ? "" : "/" + encodeURIComponent(id));
  }

  function collection(name) {
    return {
      name,
      /** The document `{id, data, version, createTime, updateTime}`; null when there is none. */
      async get(id) {
        const response = await call("GET", documentPath(name, id));
        if (response.status === 404) {
          const body = await response.json().catch(() => ({}));
          if (body.error === "DocumentNotFound") return null;
          throw new CumulusError(404, body.error, body.message, body);
        }
        return parse(response);
      },
      async create(data, { id } = {}) {
        return parse(await call("POST", documentPath(name) + (id ? "?id=" + encodeURIComponent(id) : ""), data));
      },
      /** Replaces (or creates) the document; `ifVersion` makes it conditional (0: create only). */
      async put(id, data, { ifVersion } = {}) {
        const headers = ifVersion === 0 ? { "If-None-Match": "*" }
            : ifVersion !== undefined ? { "If-Match": "\"" + ifVersion + "\"" } : {};
        return parse(await call("PUT", documentPath(name, id), data, headers));
      },
      /** JSON Merge Patch (null removes a field). */
      async patch(id, data, { ifVersion } = {}) {
        const headers = ifVersion !== undefined ? { "If-Match": "\"" + ifVersion + "\"" } : {};
        return parse(await call("PATCH", documentPath(name, id), data, headers));
      },
      async delete(id, { ifVersion } = {}) {
        const headers = ifVersion !== undefined ? { "If-Match": "\"" + ifVersion + "\"" } : {};
        await parse(await call("DELETE", documentPath(name, id), undefined, headers));
      },
      /** `{where, orderBy, limit, cursor}` → `{documents, nextCursor}` (or `{count}` with `count: true`). */
      async query(query = {}) {
        return parse(await call("POST", "/db/collections/" + encodeURIComponent(name) + "/query", query));
      },
      /**
       * Streams the collection's changes (those the user's read rule allows) to
       * `onChange({type, id, before, after, seq, ...})`; `onResync()` when the stream fell behind
       * the log's window (query again); `onOpen()` each time the stream is (re)established. Reconnects with the last event id, so nothing is missed.
       * Returns a function that stops it.
       */
      listen(onChange, { after, onResync, onError, onOpen } = {}) {
        return stream(name, onChange, after, onResync, onError, onOpen);
      },
    };
  }

  // SSE through fetch rather than EventSource: EventSource cannot send the Authorization header,
  // and a token in the URL would end up in logs.
  function stream(name, onChange, after, onResync, onError, onOpen) {
    const controller = new AbortController();
    let last = after === undefined || after === null ? null : String(after);
    let stopped = false;
    let delay = 250;
    (async () => {
      while (!stopped) {
        try {
          const headers = { Accept: "text/event-stream" };
          if (last !== null) headers["Last-Event-ID"] = last;
          let response = await call("GET", "/db/collections/" + encodeURIComponent(name) + "/changes", undefined, headers);
          if (!response.ok) {
            await parse(response); // throws the node's error
          }
          delay = 250;
          if (onOpen) onOpen(); // the stream is there: writes from now on reach it
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = "";
          const signal = controller.signal;
          signal.addEventListener("abort", () => reader.cancel().catch(() => {}));
          while (!stopped) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let end;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              const frame = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const event = { event: "message", data: [], id: null };
              for (const line of frame.split("\n")) {
                if (line.startsWith(":")) continue;
                const colon = line.indexOf(":");
                const field = colon < 0 ? line : line.slice(0, colon);
                const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
                if (field === "event") event.event = text;
                else if (field === "data") event.data.push(text);
                else if (field === "id") event.id = text;
              }
              if (event.id !== null) last = event.id;
              if (event.event === "resync") {
                if (onResync) onResync();
              } else if (event.event === "error") {
                const body = JSON.parse(event.data.join("\n"));
                throw new CumulusError(410, body.error, body.message, body);
              } else if (event.data.length) {
                onChange(JSON.parse(event.data.join("\n")));
              }
            }
          }
        } catch (e) {
          if (stopped) return;
          if (e instanceof CumulusError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
            if (onError) onError(e); else console.error(e);
            return; // a refusal does not heal by retrying
          }
          if (onError) onError(e);
        }
        if (stopped) return;
        await new Promise(resolve => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 10000);
      }
    })();
    return () => { stopped = true; controller.abort(); };
  }

  const db = {
    collection,
    /** `{reads: [{collection, id, version}], writes: [{op, collection, id, data, ifVersion}]}`, all or nothing. */
    async transaction(body) {
      return parse(await call("POST", "/db/transaction", body));
    },
    async batch(writes) {
      return parse(await call("POST", "/db/batch", { writes }));
    },
  };

  /**
   * Calls one of the project's HTTP routes (`/api/...`) as the signed-in user: the node checks
   * the token when the route says `auth: user`.
   */
  async function fetchApi(path, { method = "POST", body } = {}) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (session) headers["Authorization"] = "Bearer " + session.accessToken;
    const response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return parse(response);
  }

  return { project, url: base, auth, db, api: fetchApi };
}
