/* cmd_gather.c - ippctl gather (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_gather(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
