using System.Text.Json;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Pages.Dashboard.Admin;

/// <summary>
/// A person's data, opened on purpose by an admin: everything held about them (<see cref="ClientData.Export"/>,
/// audited on every opening and download, as the API's export is), as sections and as the API's JSON; and
/// erasure (<see cref="ClientData.EraseRecord"/>) behind one sentence saying what it does.
/// </summary>
public sealed class ClientModel(
    IMediator mediator,
    StaffContext staff,
    IOptions<PracticeOptions> practice,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : DashboardPage(mediator, staff, practice)
{
    public ClientData.ExportView? Export { get; private set; }

    public DateTimeZone Zone { get; private set; } = DateTimeZone.Utc;

    public async Task<IActionResult> OnGetAsync(Guid clientId, string? tz, CancellationToken cancellationToken)
    {
        Export = await Mediator.Send(new ClientData.Export(clientId), cancellationToken);
        Zone = ViewerZone(tz);
        return Export is null ? NotFound() : Page();
    }

    /// <summary>The export exactly as <c>GET /api/staff/clients/{id}/export</c> answers it, as a file.</summary>
    public async Task<IActionResult> OnGetDownloadAsync(Guid clientId, CancellationToken cancellationToken)
    {
        if (await Mediator.Send(new ClientData.Export(clientId), cancellationToken) is not { } export)
        {
            return NotFound();
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(export, json.Value.SerializerOptions);
        return File(bytes, "application/json", $"client-{clientId}.json");
    }

    public async Task<IActionResult> OnPostEraseAsync(Guid clientId, CancellationToken cancellationToken)
    {
        var result = await Mediator.Send(new ClientData.EraseRecord(clientId), cancellationToken);
        return result.Outcome == StaffCommandOutcome.Done
            ? Done("Their details are erased: name, contact details and every word are gone, open requests are closed, planned emails will not go, and their links no longer work.",
                $"/dashboard/admin/clients/{clientId}")
            : NotFound();
    }
}
