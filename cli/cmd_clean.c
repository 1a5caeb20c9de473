/* cmd_clean.c - ippctl clean (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_clean(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
