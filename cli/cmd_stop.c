/* cmd_stop.c - ippctl stop (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_stop(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
