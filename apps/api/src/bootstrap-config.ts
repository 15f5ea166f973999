import { AppConfig, ConfigError, loadConfig, loadSecrets, Secrets } from '@app/config';

/** Config and secrets for a process, or a one-line message and exit code 1. */
export function configOrExit(): { config: AppConfig; secrets: Secrets } {
  try {
    const config = loadConfig(process.env);
    const secrets = loadSecrets(process.env, config.database.dataDir, config.env === 'production');
    return { config, secrets };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
