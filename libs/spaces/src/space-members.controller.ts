import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiConflict, Authenticated, CurrentPrincipal, Page, PageQueryDto, Principal } from '@app/common';
import { AddMemberDto, MemberDto, MemberPageDto, UpdateMemberDto } from './dto/member.dto';
import { SpaceMembersService } from './space-members.service';

@ApiTags('members')
@Authenticated()
@Controller('api/spaces/:space_id/members')
export class SpaceMembersController {
  constructor(private readonly members: SpaceMembersService) {}

  @Get()
  @ApiOperation({ operationId: 'listMembers', summary: "The space's members (admin+)" })
  @ApiOkResponse({ type: MemberPageDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<MemberDto>> {
    return this.members.list(principal, spaceId, query);
  }

  @Post()
  @ApiOperation({
    operationId: 'addMember',
    summary: 'Add an existing user by email (admin+; owners only grant owner)',
  })
  @ApiConflict('The user is already a member.')
  @ApiCreatedResponse({ type: MemberDto })
  add(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Body() dto: AddMemberDto,
  ): Promise<MemberDto> {
    return this.members.add(principal, spaceId, dto);
  }

  @Patch(':user_id')
  @ApiOperation({ operationId: 'updateMember', summary: "Change a member's role" })
  @ApiConflict('The last owner cannot be demoted.')
  @ApiOkResponse({ type: MemberDto })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('user_id') userId: string,
    @Body() dto: UpdateMemberDto,
  ): Promise<MemberDto> {
    return this.members.update(principal, spaceId, userId, dto);
  }

  @Delete(':user_id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'removeMember', summary: 'Remove a member, or leave the space' })
  @ApiConflict('The last owner cannot leave or be removed.')
  @ApiNoContentResponse()
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('user_id') userId: string,
  ): Promise<void> {
    return this.members.remove(principal, spaceId, userId);
  }
}
