/** The front end's version; a jest test keeps it equal to package.json's, which the Python package uses too. */
export const FRONTEND_VERSION = '0.1.0';
