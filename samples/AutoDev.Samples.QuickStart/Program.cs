using AutoDev;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddAutoDev(builder.Configuration, options =>
    options.Workspaces["acme"] = new WorkspaceSettings { Enabled = true });

using var host = builder.Build();
await host.StartAsync();

// The host records what its agents do...
var recorder = host.Services.GetRequiredService<IEpisodeRecorder>();
await recorder.RecordAsync(new Episode
{
    TenantId = "acme",
    AgentId = "invoice-agent",
    TaskDescription = "Extract invoice ID from customer emails",
    Success = false,
    ErrorTrace = "KeyError: 'invoice_id'",
});

// ...and asks the gate what each agent may learn.
var gate = host.Services.GetRequiredService<ICapabilityGate>();
var decision = await gate.CheckAsync("acme", "invoice-agent", CapabilityNames.MementoSkills);
Console.WriteLine(decision.Reason);

await host.StopAsync();
