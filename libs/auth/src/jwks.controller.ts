import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/common';
import { JwksDto } from './dto/jwks.dto';
import { SigningKeysService } from './signing-keys.service';

@ApiTags('auth')
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeysService) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ operationId: 'getJwks', summary: 'Public keys that verify Portico access tokens (RFC 7517)' })
  @ApiOkResponse({ type: JwksDto })
  jwks(): JwksDto {
    return this.keys.jwks;
  }
}
