using System.Reflection;
using System.Text.Json;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.OpenApi;
using PracticeBackend.Api.Features.Staff;

namespace PracticeBackend.Api.Hosting;

/// <summary>
/// Which members of a request body the API really needs, asked of the FluentValidation validators that
/// the MediatR pipeline runs (ADR 0008), so the contract cannot drift from the rules:
/// a member is <b>required, and not nullable</b>, when its validator refuses a request that leaves it
/// out (null and absent bind alike). Every other member is optional and keeps its declared nullability.
/// The validator is run, not parsed: <c>Must</c> predicates, <c>When</c> blocks and overridden names
/// count exactly as they do for a real request.
/// </summary>
/// <remarks>
/// A validator checks either the body itself (<c>SubmitIntake.Command</c>) or a MediatR request that
/// wraps it next to route values (<c>ChangeIntake.Assign(IntakeId, Form)</c>, whose rules name fields as
/// the body does). Nested records are checked through their parent's validator (<c>consent.version</c>).
/// </remarks>
internal sealed class ValidatorContract(IServiceProvider services, IApiDescriptionGroupCollectionProvider descriptions)
{
    /// <summary>
    /// Bodies without a validator, whose handler refuses any missing member with a 400: the invitation
    /// cannot be accepted without all three, so the contract says so (decided by reading AcceptHandler).
    /// </summary>
    private static readonly HashSet<Type> AllMembersNeededByHandler = [typeof(InviteStaff.Accept)];

    private readonly Lazy<Dictionary<Type, BodyRules>> _rules = new(() => Read(services, descriptions));

    public void Apply(OpenApiSchema schema, Type type)
    {
        if (!_rules.Value.TryGetValue(type, out var rules) || schema.Properties is null)
        {
            return;
        }

        schema.Required = new HashSet<string>(schema.Properties.Keys.Where(rules.Required.Contains), StringComparer.Ordinal);
        foreach (var name in schema.Properties.Keys.ToList())
        {
            var property = schema.Properties[name];
            if (rules.Required.Contains(name))
            {
                schema.Properties[name] = NotNull(property);
            }
            else if (rules.SometimesNeeded.TryGetValue(name, out var why) && property is OpenApiSchema concrete)
            {
                concrete.Description = $"Needed in some cases; without it the answer is a 400 saying: “{why}”";
            }
        }
    }

    private static IOpenApiSchema NotNull(IOpenApiSchema property)
    {
        switch (property)
        {
            case OpenApiSchema { Type: { } type } concrete when type.HasFlag(JsonSchemaType.Null):
                concrete.Type = type & ~JsonSchemaType.Null;
                concrete.Enum = concrete.Enum?.Where(v => v is not null).ToList();
                return concrete;
            case OpenApiSchema { Metadata: { } metadata } record when metadata.ContainsKey(NullableRecordMarker):
                // A nullable record property is written later as oneOf [null, $ref], on this marker; required, it is the $ref alone.
                metadata.Remove(NullableRecordMarker);
                return record;
            default:
                return property;
        }
    }

    /// <summary>Microsoft.AspNetCore.OpenApi 10's note on a schema that a nullable property of a componentized type uses.</summary>
    private const string NullableRecordMarker = "x-is-nullable-property";

    private static Dictionary<Type, BodyRules> Read(IServiceProvider services, IApiDescriptionGroupCollectionProvider descriptions)
    {
        var bodies = descriptions.ApiDescriptionGroups.Items
            .SelectMany(g => g.Items)
            .SelectMany(d => d.ParameterDescriptions)
            .Where(p => p.Source == BindingSource.Body)
            .Select(p => p.Type)
            .ToHashSet();

        var validated = typeof(ValidatorContract).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && !t.ContainsGenericParameters)
            .SelectMany(t => t.GetInterfaces())
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidator<>))
            .Select(i => i.GetGenericArguments()[0])
            .Distinct()
            .ToList();

        var rules = new Dictionary<Type, BodyRules>();
        BodyRules For(Type type) => rules.TryGetValue(type, out var r) ? r : rules[type] = new BodyRules();

        foreach (var type in validated)
        {
            var validators = services.GetServices(typeof(IValidator<>).MakeGenericType(type)).Cast<IValidator>().ToList();
            if (bodies.Contains(type))
            {
                // The body itself: its own members, and one level of nested records (consent.contact).
                var body = For(type);
                body.Required.UnionWith(TopLevel(Refusals(validators, Absent(type, null))));
                foreach (var member in RecordMembers(type))
                {
                    var name = JsonName(member.Name!);
                    if (Refusals(validators, Absent(type, member.Name)).Contains(name))
                    {
                        body.Required.Add(name);
                    }

                    For(member.ParameterType).Required.UnionWith(TopLevel(Under(name, Refusals(validators, Absent(type, null)))));
                }

                NoteConditionalRules(body, validators, prefix: null);
            }
            else if (RecordMembers(type).SingleOrDefault(m => bodies.Contains(m.ParameterType)) is { } wrapped)
            {
                // A MediatR request that wraps the body next to route values: its rules name the body's fields.
                var body = For(wrapped.ParameterType);
                var prefix = JsonName(wrapped.Name!);
                var refusals = Refusals(validators, Absent(type, null));
                body.Required.UnionWith(TopLevel([.. refusals.Where(n => !n.Contains('.', StringComparison.Ordinal)), .. Under(prefix, refusals)]));
                NoteConditionalRules(body, validators, prefix);
            }
        }

        foreach (var type in AllMembersNeededByHandler)
        {
            For(type).Required.UnionWith(type.GetConstructors().Single().GetParameters().Select(p => JsonName(p.Name!)));
        }

        // A body no rule looks at (TwoFactor.Setup: either proof will do, or none) needs none of its members,
        // whatever its constructor's shape suggests to the exporter.
        foreach (var body in bodies.Where(b => IsRecord(b)))
        {
            For(body);
        }

        return rules;
    }

    /// <summary>The names of the fields a validator refuses, as the 400's <c>errors</c> names them.</summary>
    private static HashSet<string> Refusals(IEnumerable<IValidator> validators, object instance) =>
        validators
            .SelectMany(v => v.Validate(new ValidationContext<object>(instance)).Errors)
            .Select(e => e.PropertyName)
            .ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<string> TopLevel(IEnumerable<string> names) =>
        names.Where(n => n.Length > 0 && !n.Contains('.', StringComparison.Ordinal));

    private static IEnumerable<string> Under(string prefix, IEnumerable<string> names) =>
        names.Where(n => n.StartsWith(prefix + ".", StringComparison.Ordinal)).Select(n => n[(prefix.Length + 1)..]);

    /// <summary>
    /// A presence rule (NotNull, NotEmpty) that did not fire for an empty request holds only under a
    /// condition (InviteStaff: a therapist's account needs therapistId). Say so, in the rule's own words.
    /// </summary>
    private static void NoteConditionalRules(BodyRules body, IEnumerable<IValidator> validators, string? prefix)
    {
        foreach (var rule in validators.SelectMany(v => v.CreateDescriptor().Rules))
        {
            var name = rule.PropertyName ?? "";
            if (prefix is not null && name.StartsWith(prefix + ".", StringComparison.Ordinal))
            {
                name = name[(prefix.Length + 1)..];
            }

            var presence = rule.Components.FirstOrDefault(c => c.Validator is INotNullValidator or INotEmptyValidator);
            if (presence is not null && !body.Required.Contains(name) && !name.Contains('.', StringComparison.Ordinal))
            {
                body.SometimesNeeded[name] = presence.GetUnformattedErrorMessage();
            }
        }
    }

    /// <summary>An instance as an empty JSON object binds: every member null, nested records empty too (but <paramref name="leaveNull"/>).</summary>
    private static object Absent(Type type, string? leaveNull)
    {
        var constructor = type.GetConstructors().MaxBy(c => c.GetParameters().Length)
            ?? throw new InvalidOperationException($"{type} has no public constructor to probe its validator with.");
        var arguments = constructor.GetParameters()
            .Select(p => IsRecord(p.ParameterType)
                ? (p.Name == leaveNull ? null : Absent(p.ParameterType, null))
                : p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null)
            .ToArray();
        return constructor.Invoke(arguments);
    }

    private static IEnumerable<ParameterInfo> RecordMembers(Type type) =>
        type.GetConstructors().MaxBy(c => c.GetParameters().Length)?.GetParameters().Where(p => IsRecord(p.ParameterType)) ?? [];

    private static bool IsRecord(Type type) =>
        type.IsClass && type != typeof(string) && !type.IsArray && type.Assembly == typeof(ValidatorContract).Assembly;

    private static string JsonName(string member) => JsonNamingPolicy.CamelCase.ConvertName(member);

    private sealed class BodyRules
    {
        public HashSet<string> Required { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> SometimesNeeded { get; } = new(StringComparer.Ordinal);
    }
}
