using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PracticeBackend.Grains.Data.Migrations
{
    /// <inheritdoc />
    public partial class FollowUps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "automation_stopped_reason",
                table: "intake_requests",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "last_contact_at",
                table: "intake_requests",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // Requests from before follow-ups existed: their pacing clock starts at submission.
            migrationBuilder.Sql("UPDATE intake_requests SET last_contact_at = submitted_at;");

            migrationBuilder.AddColumn<DateTime>(
                name: "paused_until",
                table: "clients",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "contact_tokens",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_id = table.Column<Guid>(type: "uuid", nullable: false),
                    outbox_message_id = table.Column<Guid>(type: "uuid", nullable: true),
                    purpose = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    revoked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_contact_tokens", x => x.id);
                    table.ForeignKey(
                        name: "fk_contact_tokens_clients_client_id",
                        column: x => x.client_id,
                        principalTable: "clients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_id = table.Column<Guid>(type: "uuid", nullable: false),
                    intake_request_id = table.Column<Guid>(type: "uuid", nullable: true),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    due_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    first_attempt_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    claimed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    sent_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    server_reply = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    last_error = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    job_enqueued_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    outcome_reason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    body_sealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    author_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                    table.ForeignKey(
                        name: "fk_outbox_messages_clients_client_id",
                        column: x => x.client_id,
                        principalTable: "clients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_outbox_messages_intake_requests_intake_request_id",
                        column: x => x.intake_request_id,
                        principalTable: "intake_requests",
                        principalColumn: "id");
                });

            migrationBuilder.CreateIndex(
                name: "ix_contact_tokens_client_id",
                table: "contact_tokens",
                column: "client_id");

            migrationBuilder.CreateIndex(
                name: "ix_contact_tokens_token_hash",
                table: "contact_tokens",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_client_id",
                table: "outbox_messages",
                column: "client_id");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_intake_request_id_kind",
                table: "outbox_messages",
                columns: new[] { "intake_request_id", "kind" },
                unique: true,
                filter: "status <> 'Cancelled' AND kind <> 'Personal'");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_status_due_at",
                table: "outbox_messages",
                columns: new[] { "status", "due_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "contact_tokens");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "automation_stopped_reason",
                table: "intake_requests");

            migrationBuilder.DropColumn(
                name: "last_contact_at",
                table: "intake_requests");

            migrationBuilder.DropColumn(
                name: "paused_until",
                table: "clients");
        }
    }
}
