import { Body, Controller, Get, Header, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, BruteForceLimited, Public } from '@app/common';
import { SetupService } from './setup.service';
import { SetupDto, SetupResultDto, SetupStatusDto } from './setup.dto';

@ApiTags('setup')
@Controller('api/setup')
export class SetupController {
  constructor(private readonly setup: SetupService) {}

  @Public()
  @Get()
  @ApiOperation({ operationId: 'getSetupStatus', summary: 'Whether this Portico still needs its first user' })
  @ApiOkResponse({ type: SetupStatusDto })
  async status(): Promise<SetupStatusDto> {
    return { required: await this.setup.required() };
  }

  @Public()
  @BruteForceLimited()
  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'runSetup',
    summary: 'First run: the first user (a platform admin), a first space and an admin API key',
    description:
      'Needs the one-time token of the setup URL the server logs at start while no user exists. ' +
      'Answers 409 once Portico has a user.',
  })
  @ApiCreatedResponse({ type: SetupResultDto })
  @ApiProblems(403, 409)
  run(@Body() dto: SetupDto): Promise<SetupResultDto> {
    return this.setup.run(dto);
  }
}
