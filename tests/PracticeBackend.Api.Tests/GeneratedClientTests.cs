using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using PracticeBackend.Api.Tests.Generated.PracticeClient;
using PracticeBackend.Api.Tests.Generated.PracticeClient.Models;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// A client generated from the committed document (tools/generate-api-client.sh) works against the
/// real app: what a developer integrating with the practice would do first.
/// </summary>
[Collection(Api.Name)]
public sealed class GeneratedClientTests(ApiFixture app)
{
    [Fact]
    public async Task GeneratedClient_SignsInSubmitsAnIntakeAndOpensIt()
    {
        using var http = app.CreateClient();
        var client = new PracticeClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http)
        {
            BaseUrl = http.BaseAddress!.GetLeftPart(UriPartial.Authority),
        });
        var email = $"kiota.{Guid.NewGuid():N}@example.org";

        var staff = await client.Api.Auth.Login.PostAsync(new SignInCommand { Email = ApiFixture.AdminEmail, Password = ApiFixture.AdminPassword });
        var submitted = await client.Api.Intake.PostAsync(new SubmitIntakeCommand
        {
            Email = email,
            Name = "Sam Through Kiota",
            Pace = SubmitIntakeCommand_pace.CheckIn2Weeks,
            Consent = new SubmitIntakeConsentAnswer { Contact = true, Version = "2026-11" },
        });
        var status = await client.Api.Intake[submitted!.IntakeId!.Value].GetAsync();
        var detail = await client.Api.Staff.Intake[submitted.IntakeId.Value].GetAsync();

        Assert.Equal(SignInStaffMember_role.Admin, staff!.Role);
        Assert.Equal(SubmitIntakeResponse_status.Submitted, submitted.Status);
        Assert.Equal(SubmitIntakeResponse_pace.CheckIn2Weeks, status!.Pace);
        Assert.Equal(email, detail!.Email);
        Assert.Equal("Sam Through Kiota", detail.Name);
        Assert.Equal(IntakeDetailView_preferredFormat.Either, detail.PreferredFormat);
    }

    [Fact]
    public async Task GeneratedClient_GetsTheValidationProblem_AsATypedError()
    {
        using var http = app.CreateClient();
        var client = new PracticeClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http)
        {
            BaseUrl = http.BaseAddress!.GetLeftPart(UriPartial.Authority),
        });

        var problem = await Assert.ThrowsAsync<HttpValidationProblemDetails>(() =>
            client.Api.Intake.PostAsync(new SubmitIntakeCommand { Email = "sam@example.org" }));

        Assert.Equal(400, problem.ResponseStatusCode);
        Assert.Contains("consent", problem.Errors!.AdditionalData.Keys);
    }
}
