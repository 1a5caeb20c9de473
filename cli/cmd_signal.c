/* cmd_signal.c - ippctl signal (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_signal(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
