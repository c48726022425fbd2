/**
 * Exit status of a service that cannot run until a setting changes, such as an
 * address it cannot listen on. It is EX_CONFIG of BSD's sysexits.h. `npm start`
 * does not restart a service that exits with it, because the next start would
 * fail the same way.
 */
export const EXIT_CONFIGURATION_ERROR = 78;
