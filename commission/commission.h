/*
 * The election commission's commands of vybar-commission (specs/commission.md):
 * the manifest from an election description, the signed admin actions
 * (specs/protocol.md §12) and the registrar's issued statement carried to
 * the board (specs/registrar.md §4.2). Each takes its parsed command line
 * (commission/main.c's table) and returns the exit status (cli/vy_cli.h).
 */
#ifndef VYB_COMMISSION_H
#define VYB_COMMISSION_H

#include "cli/vy_cli.h"

int vyb_cmd_manifest(const vy_cli_args *a);
int vyb_cmd_admin(const vy_cli_args *a);
int vyb_cmd_publish_issued(const vy_cli_args *a);

#endif
