using System.Linq.Expressions;
using PracticeBackend.Domain.Staff;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Grains.Staff;

/// <summary>Need-to-know (DESIGN invariant 7) as a query filter: <see cref="NeedToKnow"/>'s one rule, applied by the database.</summary>
public static class Visibility
{
    public static IQueryable<IntakeRequest> VisibleTo(this IQueryable<IntakeRequest> requests, StaffActor actor)
    {
        var rule = NeedToKnow.MaySeeAssignedTo(actor.Viewer);
        var request = Expression.Parameter(typeof(IntakeRequest), "request");
        var assigned = Expression.Property(request, nameof(IntakeRequest.AssignedTherapistId));
        var body = new Substitute(rule.Parameters[0], assigned).Visit(rule.Body);
        return requests.Where(Expression.Lambda<Func<IntakeRequest, bool>>(body, request));
    }

    private sealed class Substitute(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
