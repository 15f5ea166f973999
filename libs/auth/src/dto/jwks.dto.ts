import { ApiProperty } from '@nestjs/swagger';

export class JwkDto {
  @ApiProperty({ enum: ['EC'] }) kty: string;
  @ApiProperty({ enum: ['P-256'] }) crv: string;
  @ApiProperty({ pattern: '^[A-Za-z0-9_-]{43}$', maxLength: 43, description: 'base64url, 32 bytes' }) x: string;
  @ApiProperty({ pattern: '^[A-Za-z0-9_-]{43}$', maxLength: 43, description: 'base64url, 32 bytes' }) y: string;
  @ApiProperty({ pattern: '^[A-Za-z0-9_-]{43}$', maxLength: 43, description: 'RFC 7638 thumbprint' }) kid: string;
  @ApiProperty({ enum: ['ES256'] }) alg: 'ES256';
  @ApiProperty({ enum: ['sig'] }) use: 'sig';
}

export class JwksDto {
  @ApiProperty({ type: [JwkDto], maxItems: 20 }) keys: JwkDto[];
}
