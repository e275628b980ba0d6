/* parse_cli.h - `todo parse`: the built-in assistant's parser from the command line
 * (docs/assistant-evaluation.md). */
#ifndef TODO_SERVICES_PARSE_CLI_H
#define TODO_SERVICES_PARSE_CLI_H

/* `todo parse [--now RFC3339] [--tz ZONE] [TEXT...]`: prints nlp_parse_json's JSON for TEXT
 * (the remaining arguments joined by spaces), or for each line of stdin when no TEXT is
 * given, one compact JSON per line. argv[0] is "parse". Returns the process exit code: 0,
 * or 2 for a bad flag (an unreadable --now, an unknown --tz). */
int parse_main(int argc, char **argv);

#endif
