/* cmd_px.c - ippctl px (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_px(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
