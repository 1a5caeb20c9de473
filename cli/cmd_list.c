/* cmd_list.c - ippctl list (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_list(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
