/* cmd_apply.c - ippctl apply (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_apply(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
