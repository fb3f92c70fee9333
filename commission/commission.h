/*
 * The election commission's commands of vybar-commission (specs/commission.md):
 * the manifest from an election description, the signed admin actions
 * (specs/protocol.md §12) and the registrar's issued statement carried to
 * the board (specs/registrar.md §4.2). argv[1] is the command's name.
 *
 * Exit status: 0 done; 1 usage, I/O, or no answer from a server; 2 refused
 * (the description breaks a rule, or the board refused the action).
 */
#ifndef VYB_COMMISSION_H
#define VYB_COMMISSION_H

int vyb_cmd_keygen(int argc, char **argv);
int vyb_cmd_manifest(int argc, char **argv);
int vyb_cmd_admin(int argc, char **argv);
int vyb_cmd_publish_issued(int argc, char **argv);

#endif
