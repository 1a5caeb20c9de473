/* cmd_push.c - ippctl push (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_push(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
