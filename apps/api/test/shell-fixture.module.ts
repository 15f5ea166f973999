import { Body, Controller, Get, Module, Param, ParseIntPipe, Post } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { EntityManager, EntitySchema } from '@mikro-orm/postgresql';
import { IsInt, IsString, Length, Min } from 'class-validator';
import { Public } from '@app/common';

/** Test fixture: routes that raise each error class the HTTP shell must translate. */
export interface Thing {
  id: number;
  name: string;
}

export const ThingSchema = new EntitySchema<Thing>({
  name: 'Thing',
  tableName: 'fixture_things',
  properties: { id: { type: 'integer', primary: true, autoincrement: false }, name: { type: 'string', unique: true } },
});

class EchoDto {
  @IsString()
  @Length(1, 5)
  name: string;

  @IsInt()
  @Min(0)
  count: number;
}

@Controller('fixture')
class FixtureController {
  constructor(private readonly em: EntityManager) {}

  @Public()
  @Post('echo')
  echo(@Body() body: EchoDto): EchoDto {
    return body;
  }

  @Public()
  @Post('things')
  async create(@Body() body: { id: number; name: string }): Promise<Thing> {
    const thing = this.em.create(ThingSchema, { id: Number(body.id), name: String(body.name) });
    await this.em.flush();
    return { id: thing.id, name: thing.name };
  }

  @Public()
  @Get('things/:id')
  async get(@Param('id', ParseIntPipe) id: number): Promise<Thing> {
    const thing = await this.em.findOneOrFail(ThingSchema, { id });
    return { id: thing.id, name: thing.name };
  }

  @Public()
  @Get('boom')
  boom(): never {
    throw new Error('internal detail: password=hunter2 at /srv/secret/path');
  }

  @Get('private')
  private(): string {
    return 'nobody should see this';
  }
}

@Module({ imports: [MikroOrmModule.forFeature([ThingSchema])], controllers: [FixtureController] })
export class ShellFixtureModule {}
