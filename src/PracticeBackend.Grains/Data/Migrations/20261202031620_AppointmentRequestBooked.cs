using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PracticeBackend.Grains.Data.Migrations
{
    /// <inheritdoc />
    public partial class AppointmentRequestBooked : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "request_booked_at",
                table: "appointments",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "request_booked_at",
                table: "appointments");
        }
    }
}
