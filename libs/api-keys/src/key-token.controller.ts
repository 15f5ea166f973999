import { Body, Controller, Header, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiProblems, BruteForceLimited, Public } from '@app/common';
import { ApiKeysService } from './api-keys.service';
import { KeyTokenDto, KeyTokenRequestDto } from './dto/api-key.dto';

@ApiTags('auth')
@Public()
@BruteForceLimited()
@Controller('api/auth')
export class KeyTokenController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'exchangeApiKey',
    summary: 'Exchange an API key for a short-lived JWT acting as the key (ekoDB)',
  })
  @ApiOkResponse({ type: KeyTokenDto })
  @ApiProblems(401)
  token(@Req() request: FastifyRequest, @Body() dto: KeyTokenRequestDto): Promise<KeyTokenDto> {
    return this.keys.exchangeOrFail(request, dto.api_key);
  }
}
