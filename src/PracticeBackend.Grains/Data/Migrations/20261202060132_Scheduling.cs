using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PracticeBackend.Grains.Data.Migrations
{
    /// <inheritdoc />
    public partial class Scheduling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_intake_request_id_kind",
                table: "outbox_messages");

            migrationBuilder.AddColumn<byte[]>(
                name: "calendar_feed_token_hash",
                table: "therapists",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "video_link",
                table: "therapists",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "session_starts_at",
                table: "outbox_messages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "subject_id",
                table: "outbox_messages",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "subject_sequence",
                table: "outbox_messages",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "subject_id",
                table: "contact_tokens",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "reminders_off",
                table: "clients",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "changed_by_person",
                table: "appointments",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "person_told_sequence",
                table: "appointments",
                type: "integer",
                nullable: true);

            // Sessions booked before the person was told of any: nothing to tell them now, years later.
            migrationBuilder.Sql("UPDATE appointments SET person_told_sequence = sequence;");

            migrationBuilder.CreateTable(
                name: "offers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    therapist_id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_id = table.Column<Guid>(type: "uuid", nullable: false),
                    intake_request_id = table.Column<Guid>(type: "uuid", nullable: false),
                    format = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    starts = table.Column<List<DateTime>>(type: "timestamp with time zone[]", nullable: false),
                    session_minutes = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    lapses_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    answered_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    picked_start = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    appointment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    usually = table.Column<List<string>>(type: "text[]", nullable: false),
                    person_told_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_offers", x => x.id);
                    table.CheckConstraint("ck_offers_one_to_five_times", "cardinality(starts) BETWEEN 1 AND 5");
                    table.ForeignKey(
                        name: "fk_offers_clients_client_id",
                        column: x => x.client_id,
                        principalTable: "clients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_offers_intake_requests_intake_request_id",
                        column: x => x.intake_request_id,
                        principalTable: "intake_requests",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_offers_therapists_therapist_id",
                        column: x => x.therapist_id,
                        principalTable: "therapists",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_therapists_calendar_feed_token_hash",
                table: "therapists",
                column: "calendar_feed_token_hash",
                unique: true,
                filter: "calendar_feed_token_hash IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_intake_request_id_kind",
                table: "outbox_messages",
                columns: new[] { "intake_request_id", "kind" },
                unique: true,
                filter: "status <> 'Cancelled' AND kind <> 'Personal' AND subject_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_subject_id_kind_subject_sequence",
                table: "outbox_messages",
                columns: new[] { "subject_id", "kind", "subject_sequence" },
                unique: true,
                filter: "status <> 'Cancelled' AND subject_id IS NOT NULL")
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_offers_client_id",
                table: "offers",
                column: "client_id");

            migrationBuilder.CreateIndex(
                name: "ix_offers_lapses_at",
                table: "offers",
                column: "lapses_at",
                filter: "status = 'Open'");

            migrationBuilder.CreateIndex(
                name: "ix_offers_therapist_id",
                table: "offers",
                column: "therapist_id");

            migrationBuilder.CreateIndex(
                name: "ix_offers_updated_at",
                table: "offers",
                column: "updated_at",
                filter: "person_told_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ux_offers_one_open_per_request",
                table: "offers",
                column: "intake_request_id",
                unique: true,
                filter: "status = 'Open'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "offers");

            migrationBuilder.DropIndex(
                name: "ix_therapists_calendar_feed_token_hash",
                table: "therapists");

            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_intake_request_id_kind",
                table: "outbox_messages");

            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_subject_id_kind_subject_sequence",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "calendar_feed_token_hash",
                table: "therapists");

            migrationBuilder.DropColumn(
                name: "video_link",
                table: "therapists");

            migrationBuilder.DropColumn(
                name: "session_starts_at",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "subject_id",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "subject_sequence",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "subject_id",
                table: "contact_tokens");

            migrationBuilder.DropColumn(
                name: "reminders_off",
                table: "clients");

            migrationBuilder.DropColumn(
                name: "changed_by_person",
                table: "appointments");

            migrationBuilder.DropColumn(
                name: "person_told_sequence",
                table: "appointments");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_intake_request_id_kind",
                table: "outbox_messages",
                columns: new[] { "intake_request_id", "kind" },
                unique: true,
                filter: "status <> 'Cancelled' AND kind <> 'Personal'");
        }
    }
}
