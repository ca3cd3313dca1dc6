/** The web app's tests use the library's real redis-server helper. */
export * from '../../../../packages/entrakit/test/store/redis-server.ts';
