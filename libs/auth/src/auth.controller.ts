import { Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiConflict,
  ApiProblems,
  Authenticated,
  BruteForceLimited,
  CurrentPrincipal,
  Principal,
  Public,
} from '@app/common';
import { LoginDto, RefreshDto, SignupDto } from './dto/credentials.dto';
import { MeUserDto, SignupResponseDto, TokenPairDto } from './dto/session.dto';
import { AuthService } from './auth.service';
import { MeService } from './me.service';

@ApiTags('auth')
@ApiExtraModels(MeUserDto)
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly meService: MeService,
  ) {}

  @Public()
  @BruteForceLimited()
  @Post('signup')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ operationId: 'signup', summary: 'Create an account and start a session' })
  @ApiConflict('An account with this email already exists.')
  @ApiCreatedResponse({ type: SignupResponseDto })
  signup(@Body() dto: SignupDto): Promise<SignupResponseDto> {
    return this.auth.signup(dto);
  }

  @Public()
  @BruteForceLimited({ perBodyField: 'email' })
  @Post('login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ operationId: 'login', summary: 'Start a session with email and password' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(401)
  login(@Body() dto: LoginDto): Promise<TokenPairDto> {
    return this.auth.login(dto);
  }

  @Public()
  @BruteForceLimited()
  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ operationId: 'refreshSession', summary: 'Rotate a refresh token for a new token pair' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(401)
  refresh(@Body() dto: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(dto.refresh_token);
  }

  @Public()
  @BruteForceLimited()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ operationId: 'logout', summary: "Revoke the refresh token's whole family" })
  @ApiNoContentResponse()
  logout(@Body() dto: RefreshDto): Promise<void> {
    return this.auth.logout(dto.refresh_token);
  }

  @Get('me')
  @Authenticated({ apiKeys: true })
  @ApiOperation({ operationId: 'getMe', summary: 'The caller: a user or an API key' })
  @ApiOkResponse({
    description: 'A user (`kind: user`) or an API key (`kind: api_key`).',
    schema: { oneOf: [{ $ref: '#/components/schemas/MeUserDto' }, { $ref: '#/components/schemas/MeApiKeyDto' }] },
  })
  me(@CurrentPrincipal() principal: Principal): Promise<unknown> {
    return this.meService.describe(principal);
  }
}
