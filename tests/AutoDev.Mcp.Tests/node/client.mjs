// An MCP client built on the official TypeScript SDK, driven by AutoDev.Mcp.Tests.
//   node client.mjs http <endpoint> <tool> <arguments-json> <failing-arguments-json>
//   node client.mjs stdio <tool> <arguments-json> <failing-arguments-json> -- <command> [args...]
// It lists the tools, calls <tool> twice (the second call is meant to fail), says it is waiting, and once the server
// sends notifications/tools/list_changed lists the tools again and exits. Each step is one JSON line on stdout.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const say = (event, data) => process.stdout.write(JSON.stringify({ event, ...data }) + "\n");
const [mode, ...rest] = process.argv.slice(2);
let transport, tool, args, failingArgs;
if (mode === "http") {
  const [endpoint] = rest;
  [tool, args, failingArgs] = rest.slice(1);
  transport = new StreamableHTTPClientTransport(new URL(endpoint));
} else if (mode === "stdio") {
  const split = rest.indexOf("--");
  [tool, args, failingArgs] = rest.slice(0, split);
  const [command, ...commandArgs] = rest.slice(split + 1);
  transport = new StdioClientTransport({ command, args: commandArgs, stderr: "inherit" });
} else {
  console.error("usage: client.mjs http|stdio ...");
  process.exit(2);
}

const client = new Client({ name: "typescript-agent", version: "1.0.0" });
const changed = new Promise((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
const timeout = setTimeout(() => { say("timeout", {}); process.exit(1); }, 30_000);

await client.connect(transport);
say("connected", { server: client.getServerVersion(), listChanged: client.getServerCapabilities()?.tools?.listChanged ?? false });
say("tools", { tools: (await client.listTools()).tools });
say("call", { result: await client.callTool({ name: tool, arguments: JSON.parse(args) }) });
say("call", { result: await client.callTool({ name: tool, arguments: JSON.parse(failingArgs) }) });
say("waiting", {});
await changed;
say("changed", { tools: (await client.listTools()).tools });
clearTimeout(timeout);
await client.close();
