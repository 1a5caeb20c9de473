/* cmd_start.c - ippctl start (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_start(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
