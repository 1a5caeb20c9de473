/* cmd_profile.c - ippctl profile (a placeholder until it is written). */
#include "config.h"

#include "cli.h"

int cmd_profile(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("not implemented yet");
}
