// The BetterHeap server the panel works with: its address, the API token it calls with
// (`betterheap users token NAME`, an analyst's or admin's), the project it works on and
// that project's write key (the debugger checks batches that carry none with it). Errors
// carry the server's own explanation.
export class ServerError extends Error {}

export class Server {
  constructor(url, token, projectId, writeKey) {
    this.url = url.replace(/\/+$/, "");
    this.token = token;
    this.projectId = projectId;
    this.writeKey = writeKey;
  }

  async call(method, path, body, query = {}) {
    const params = new URLSearchParams({ project_id: String(this.projectId), ...query });
    return request(method, `${this.url}${path}?${params}`, this.token, body);
  }
}

// Check the address, token and project; resolves to {server, project} or throws a
// ServerError that says what is wrong, in the server's words (an unknown or revoked token,
// a viewer's token, a project that does not exist).
export async function connect(url, token, projectId = 1) {
  const base = url.trim().replace(/\/+$/, "");
  const secret = token.trim();
  if (!/^https?:\/\/[^/]+/.test(base)) throw new ServerError("the server address starts with http:// or https://");
  if (!secret) throw new ServerError("give an API token: `betterheap users token NAME` prints one");
  const id = Number(projectId) || 1;
  const project = await request("POST", `${base}/api/connect?project_id=${id}`, secret);
  return { server: new Server(base, secret, project.project_id, project.write_key), project };
}

async function request(method, url, token, body) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
  } catch (error) {
    throw new ServerError(`cannot reach ${new URL(url).origin}: is \`betterheap serve\` running there?`);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (error) {
    data = null;
  }
  if (!response.ok) throw new ServerError(detail(data) || `the server answered ${response.status}`);
  return data;
}

function detail(data) {
  if (!data || data.detail === undefined) return "";
  if (typeof data.detail === "string") return data.detail;
  return data.detail.map((item) => `${(item.loc || []).join(".")}: ${item.msg}`).join("; ");
}
