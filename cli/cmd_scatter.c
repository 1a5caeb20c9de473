/* cmd_scatter.c - ippctl scatter (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_scatter(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
