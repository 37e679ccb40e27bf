using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PracticeBackend.Grains.Data.Migrations
{
    /// <inheritdoc />
    public partial class HonestCore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_outbox_messages_clients_client_id",
                table: "outbox_messages");

            migrationBuilder.RenameColumn(
                name: "last_error",
                table: "outbox_messages",
                newName: "status_reason");

            migrationBuilder.AlterColumn<Guid>(
                name: "client_id",
                table: "outbox_messages",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.AddColumn<string>(
                name: "due_rule",
                table: "outbox_messages",
                type: "character varying(48)",
                maxLength: 48,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "retry_at",
                table: "outbox_messages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "automation_stopped_reason",
                table: "intake_requests",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "awaiting_address_confirmation",
                table: "intake_requests",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<byte[]>(
                name: "name_sealed",
                table: "intake_requests",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "phone_sealed",
                table: "intake_requests",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "time_zone",
                table: "intake_requests",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddForeignKey(
                name: "fk_outbox_messages_clients_client_id",
                table: "outbox_messages",
                column: "client_id",
                principalTable: "clients",
                principalColumn: "id");

            // Requests so far were submitted in their client's zone.
            migrationBuilder.Sql("UPDATE intake_requests r SET time_zone = c.time_zone FROM clients c WHERE c.id = r.client_id");

            // A pace of "when ready" is the person's current choice, not the end of a request's automation:
            // the old marker kept people who later chose a gentle check-in from ever getting one.
            migrationBuilder.Sql("UPDATE intake_requests SET automation_stopped_reason = NULL WHERE automation_stopped_reason = 'person-will-reach-out'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Practice-wide staff notes have no client; the old schema cannot hold them.
            migrationBuilder.Sql("DELETE FROM outbox_messages WHERE client_id IS NULL");

            migrationBuilder.DropForeignKey(
                name: "fk_outbox_messages_clients_client_id",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "due_rule",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "retry_at",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "awaiting_address_confirmation",
                table: "intake_requests");

            migrationBuilder.DropColumn(
                name: "name_sealed",
                table: "intake_requests");

            migrationBuilder.DropColumn(
                name: "phone_sealed",
                table: "intake_requests");

            migrationBuilder.DropColumn(
                name: "time_zone",
                table: "intake_requests");

            migrationBuilder.RenameColumn(
                name: "status_reason",
                table: "outbox_messages",
                newName: "last_error");

            migrationBuilder.AlterColumn<Guid>(
                name: "client_id",
                table: "outbox_messages",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "automation_stopped_reason",
                table: "intake_requests",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(32)",
                oldMaxLength: 32,
                oldNullable: true);

            migrationBuilder.AddForeignKey(
                name: "fk_outbox_messages_clients_client_id",
                table: "outbox_messages",
                column: "client_id",
                principalTable: "clients",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
