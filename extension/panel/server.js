// The BetterHeap server the panel works with: its address, the project's write key and the
// project it names. Errors carry the server's own explanation.
export class ServerError extends Error {}

export class Server {
  constructor(url, key, projectId) {
    this.url = url.replace(/\/+$/, "");
    this.key = key;
    this.projectId = projectId;
  }

  async call(method, path, body, query = {}) {
    const params = new URLSearchParams({ project_id: String(this.projectId), ...query });
    return request(method, `${this.url}${path}?${params}`, body);
  }
}

// Check the address and key; resolves to {server, project} or throws a ServerError.
export async function connect(url, key) {
  const base = url.trim().replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+/.test(base)) throw new ServerError("the server address starts with http:// or https://");
  const project = await request("POST", `${base}/api/connect`, { key: key.trim() });
  return { server: new Server(base, key.trim(), project.project_id), project };
}

async function request(method, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
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
