/* cmd_status.c - ippctl status (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_status(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
