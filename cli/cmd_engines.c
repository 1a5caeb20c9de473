/* cmd_engines.c - ippctl engines (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_engines(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
