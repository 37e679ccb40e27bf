using PracticeBackend.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddPracticeBackend();

var app = builder.Build();
app.UsePracticeBackend();
app.Run();
