using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PracticeBackend.Grains.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "app_secrets",
                columns: table => new
                {
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    protected_value = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_app_secrets", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "clients",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    email_blind_index = table.Column<byte[]>(type: "bytea", nullable: false),
                    email_sealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    name_sealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    phone_sealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    time_zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    pace = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    contact_status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_clients", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true),
                    xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "intake_requests",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    pace = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    preferred_format = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    message_sealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    needs_prompt_attention = table.Column<bool>(type: "boolean", nullable: false),
                    submitted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    idempotency_key_hash = table.Column<byte[]>(type: "bytea", nullable: true),
                    request_fingerprint = table.Column<byte[]>(type: "bytea", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_intake_requests", x => x.id);
                    table.ForeignKey(
                        name: "fk_intake_requests_clients_client_id",
                        column: x => x.client_id,
                        principalTable: "clients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "consent_records",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_id = table.Column<Guid>(type: "uuid", nullable: false),
                    intake_request_id = table.Column<Guid>(type: "uuid", nullable: true),
                    purpose = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    granted = table.Column<bool>(type: "boolean", nullable: false),
                    text_version = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    source = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    recorded_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_consent_records", x => x.id);
                    table.ForeignKey(
                        name: "fk_consent_records_clients_client_id",
                        column: x => x.client_id,
                        principalTable: "clients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_consent_records_intake_requests_intake_request_id",
                        column: x => x.intake_request_id,
                        principalTable: "intake_requests",
                        principalColumn: "id");
                });

            migrationBuilder.CreateIndex(
                name: "ix_clients_email_blind_index",
                table: "clients",
                column: "email_blind_index",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_consent_records_client_id",
                table: "consent_records",
                column: "client_id");

            migrationBuilder.CreateIndex(
                name: "ix_consent_records_intake_request_id",
                table: "consent_records",
                column: "intake_request_id");

            migrationBuilder.CreateIndex(
                name: "ix_intake_requests_client_id",
                table: "intake_requests",
                column: "client_id");

            migrationBuilder.CreateIndex(
                name: "ix_intake_requests_idempotency_key_hash",
                table: "intake_requests",
                column: "idempotency_key_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_intake_requests_status_needs_prompt_attention_submitted_at",
                table: "intake_requests",
                columns: new[] { "status", "needs_prompt_attention", "submitted_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "app_secrets");

            migrationBuilder.DropTable(
                name: "consent_records");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "intake_requests");

            migrationBuilder.DropTable(
                name: "clients");
        }
    }
}
