/* cmd_pull.c - ippctl pull (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_pull(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
