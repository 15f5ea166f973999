import { ApiProperty } from '@nestjs/swagger';

export class JwkDto {
  @ApiProperty({ example: 'EC' }) kty: string;
  @ApiProperty({ example: 'P-256' }) crv: string;
  @ApiProperty() x: string;
  @ApiProperty() y: string;
  @ApiProperty() kid: string;
  @ApiProperty({ enum: ['ES256'] }) alg: 'ES256';
  @ApiProperty({ enum: ['sig'] }) use: 'sig';
}

export class JwksDto {
  @ApiProperty({ type: [JwkDto] }) keys: JwkDto[];
}
