import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiConflict, Authenticated, CurrentPrincipal, impliedSpace, JsonText, Page, Principal } from '@app/common';
import {
  BatchCreateDto,
  BatchCreatedDto,
  DeletedDto,
  DeleteRecordsQueryDto,
  FieldsQueryDto,
  ListRecordsQueryDto,
  RecordDto,
  RecordPageDto,
} from './dto/record.dto';
import { RecordsService } from './records.service';

/** Users name the space in the path. */
const USER_ROUTE = '/api/spaces/{space_id}/collections/…';

type Row = Record<string, unknown>;
const RECORD_BODY = {
  schema: {
    type: 'object',
    additionalProperties: true,
    example: { status: 'new', total: 42.5, email: 'ada@example.com' },
  },
};

/**
 * Records, at `/api/spaces/{space_id}/collections/{name}/records` and, for API keys
 * whose space is implied, at `/api/collections/{name}/records`.
 */
@ApiTags('records')
@Authenticated({ apiKeys: true })
@Controller(['api/spaces/:space_id/collections/:name/records', 'api/collections/:name/records'])
export class RecordsController {
  constructor(private readonly records: RecordsService) {}

  @Get()
  @ApiOperation({ operationId: 'listRecords', summary: 'List records: filter, sort, fields, keyset cursor' })
  @ApiOkResponse({ type: RecordPageDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string | undefined,
    @Param('name') name: string,
    @Query() query: ListRecordsQueryDto,
  ): Promise<Page<Row> | JsonText> {
    return this.records.list(principal, impliedSpace(principal, spaceId, USER_ROUTE), name, query);
  }

  @Post()
  @ApiOperation({ operationId: 'createRecord', summary: 'Create a record, validated against the schema' })
  @ApiConflict('A unique field value is taken.')
  @ApiBody(RECORD_BODY)
  @ApiCreatedResponse({ type: RecordDto })
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string | undefined,
    @Param('name') name: string,
    @Body() body: Row,
  ): Promise<Row> {
    return this.records.create(principal, impliedSpace(principal, spaceId, USER_ROUTE), name, body);
  }

  @Post('batch')
  @ApiOperation({ operationId: 'createRecords', summary: 'Create up to 1000 records, all or nothing' })
  @ApiConflict('A unique field value is taken (by another record or within the batch); nothing is stored.')
  @ApiBody({ type: BatchCreateDto })
  @ApiCreatedResponse({ type: BatchCreatedDto })
  createMany(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string | undefined,
    @Param('name') name: string,
    // Checked by the service (batchRecords), not copied through the validation pipe.
    @Body() body: unknown,
  ): Promise<{ data: Row[] } | JsonText> {
    return this.records.createMany(principal, impliedSpace(principal, spaceId, USER_ROUTE), name, body);
  }

  @Delete()
  @ApiOperation({ operationId: 'deleteRecords', summary: 'Delete the records a (required) filter matches' })
  @ApiOkResponse({ type: DeletedDto })
  removeMany(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string | undefined,
    @Param('name') name: string,
    @Query() query: DeleteRecordsQueryDto,
  ): Promise<DeletedDto> {
    return this.records.removeMany(principal, impliedSpace(principal, spaceId, USER_ROUTE), name, query.filter);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getRecord', summary: 'One record' })
  @ApiOkResponse({ type: RecordDto })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string | undefined,
    @Param('name') name: string,
    @Param('id') id: string,
    @Query() query: FieldsQueryDto,
  ): Promise<Row> {
    return this.records.get(principal, impliedSpace(principal, spaceId, USER_ROUTE), name, id, query.fields);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateRecord', summary: 'Partial update; null removes an optional field' })
  @ApiConflict('A unique field value is taken.')
  @ApiBody(RECORD_BODY)
  @ApiOkResponse({ type: RecordDto })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string | undefined,
    @Param('name') name: string,
    @Param('id') id: string,
    @Body() body: Row,
  ): Promise<Row> {
    return this.records.update(principal, impliedSpace(principal, spaceId, USER_ROUTE), name, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteRecord', summary: 'Delete one record' })
  @ApiNoContentResponse()
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string | undefined,
    @Param('name') name: string,
    @Param('id') id: string,
  ): Promise<void> {
    return this.records.remove(principal, impliedSpace(principal, spaceId, USER_ROUTE), name, id);
  }
}
